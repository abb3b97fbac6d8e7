// Agora: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Dismissible alerts: the close button is hidden until this script can make it work.
  function enableDismiss(root) {
    root.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (!button) return;
    var alert = button.closest(".alert");
    if (!alert) return;
    var next = alert.nextElementSibling || alert.previousElementSibling;
    var container = alert.parentElement;
    alert.remove();
    if (container && container.classList.contains("messages") && !container.children.length) {
      container.remove();
    }
    // Keep keyboard focus somewhere sensible.
    var target = next && next.querySelector("[data-dismiss]:not([hidden])");
    (target || document.getElementById("main")).focus();
  });

  // Disclosure menus (<details data-menu>): one open at a time, closed by Escape or a click outside.
  function menus() {
    return document.querySelectorAll("details[data-menu][open]");
  }

  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.matches("[data-menu]") || !opened.open) return;
    menus().forEach(function (menu) {
      if (menu !== opened) menu.open = false;
    });
  }, true);

  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });

  function init(root) {
    enableDismiss(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
