"""Staff tools: the category tree and skills are edited here; courses only looked at (their changes go
through the services, which audit them)."""

from django.contrib import admin

from agora.catalog.models import Category, Course, CourseMember, CourseRevision, Skill, SkillArea


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 1
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SkillArea)
class SkillAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class CourseMemberInline(admin.TabularInline):
    model = CourseMember
    fields = ["user", "role", "revenue_share_bp"]
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "status", "category", "price", "current_price", "student_count", "published_at"]
    list_filter = ["status", "kind", "level", "language"]
    search_fields = ["title", "slug"]
    list_select_related = ["category"]
    inlines = [CourseMemberInline]


@admin.register(CourseRevision)
class CourseRevisionAdmin(ReadOnlyAdmin):
    list_display = ["course", "number", "status", "created_by", "created_at", "approved_at"]
    list_filter = ["status"]
    search_fields = ["course__title", "course__slug"]
    list_select_related = ["course", "created_by"]
