"""A course's team in PostgreSQL itself: revenue shares add up to exactly 100 % (10,000 basis points)
and at least one member is a course admin. A DEFERRABLE INITIALLY DEFERRED constraint trigger, checked
at commit, so a service may change several members in one transaction (a course without members,
being created or deleted, is not checked)."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION catalog_course_team_assert_valid(p_course_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_members bigint;
    v_total bigint;
    v_admins bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM catalog_course WHERE id = p_course_id) THEN
        RETURN;
    END IF;
    SELECT count(*), coalesce(sum(revenue_share_bp), 0), count(*) FILTER (WHERE role = 'admin')
      INTO v_members, v_total, v_admins
      FROM catalog_coursemember WHERE course_id = p_course_id;
    IF v_total <> 10000 THEN
        RAISE EXCEPTION 'the revenue shares of course % add up to % basis points, not 10000', p_course_id, v_total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'course_team_valid';
    END IF;
    IF v_admins = 0 THEN
        RAISE EXCEPTION 'course % has no course admin', p_course_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'course_team_valid';
    END IF;
END
$$;

CREATE FUNCTION catalog_course_member_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM catalog_course_team_assert_valid(NEW.course_id);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM catalog_course_team_assert_valid(OLD.course_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER course_team_valid
    AFTER INSERT OR UPDATE OR DELETE ON catalog_coursemember
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION catalog_course_member_check();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS course_team_valid ON catalog_coursemember;
DROP FUNCTION IF EXISTS catalog_course_member_check();
DROP FUNCTION IF EXISTS catalog_course_team_assert_valid(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
