// Agora studio: drag and drop in the curriculum, keyboard focus kept across in-place moves, upload
// progress, and more answer rows in the quiz builder. Every form works without this file.
(function () {
  "use strict";

  // Drag and drop --------------------------------------------------------------------------------
  // Items ([data-move-url]) are dragged by their handle; a module moves among modules, a lecture
  // within or across modules' lecture lists. On drop the new position is posted with htmx, which
  // swaps in the curriculum as the server now has it (or as it was, if the move was refused).

  var pressedHandle = null;
  var drag = null; // {item, kind, parent, next}

  function listOf(item) {
    return item.parentElement && item.parentElement.closest("[data-sortable]");
  }

  function childOf(list, node) {
    while (node && node.parentElement !== list) node = node.parentElement;
    return node && node.matches("[data-move-url]") ? node : null;
  }

  function targetList(node) {
    var list = node.closest('[data-sortable="' + drag.kind + '"]');
    if (!list && drag.kind === "lectures") {
      var module = node.closest("[data-module-id]");
      list = module && module.querySelector('[data-sortable="lectures"]');
    }
    return list && list.closest("[data-sortable-root]") ? list : null;
  }

  document.addEventListener("pointerdown", function (event) {
    pressedHandle = event.target.closest("[data-drag-handle]");
  });

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-move-url]");
    if (!item || !item.closest("[data-sortable-root]")) return;
    if (!pressedHandle || pressedHandle.closest("[data-move-url]") !== item) {
      event.preventDefault();
      return;
    }
    var list = listOf(item);
    drag = { item: item, kind: list.dataset.sortable, parent: item.parentElement, next: item.nextElementSibling };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
    item.classList.add("is-dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!drag) return;
    var list = targetList(event.target);
    if (!list) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var over = childOf(list, event.target);
    if (over === drag.item || drag.item.contains(list)) return;
    if (!over) {
      if (!list.contains(drag.item)) list.appendChild(drag.item);
      return;
    }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(drag.item, after ? over.nextElementSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (drag && targetList(event.target)) event.preventDefault();
  });

  document.addEventListener("dragend", function (event) {
    if (!drag) return;
    var moved = drag;
    drag = null;
    moved.item.classList.remove("is-dragging");
    if (event.dataTransfer.dropEffect === "none") {
      moved.parent.insertBefore(moved.item, moved.next);
      return;
    }
    if (moved.item.parentElement === moved.parent && moved.item.nextElementSibling === moved.next) return;
    var list = moved.item.parentElement;
    var siblings = Array.prototype.filter.call(list.children, function (child) {
      return child.matches("[data-move-url]");
    });
    var values = { position: siblings.indexOf(moved.item) };
    if (moved.kind === "lectures") values.module = list.dataset.moduleId;
    window.htmx.ajax("POST", moved.item.dataset.moveUrl, {
      source: moved.item,
      target: "#curriculum",
      swap: "outerHTML",
      values: values,
    });
  });

  // Keyboard moves -------------------------------------------------------------------------------
  // htmx keeps the focus on an element whose id survives the swap. A move button that became
  // disabled (the item reached an end) cannot hold it: the other button of the item takes it.

  var pressedMove = null; // the id of the last move button pressed, until something else is clicked

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move-key]");
    pressedMove = button ? button.id : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pressedMove) return;
    var id = pressedMove;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    var button = document.getElementById(id);
    var other = document.getElementById(id.replace(/-(up|down)$/, function (match, way) {
      return way === "up" ? "-down" : "-up";
    }));
    var choice = [button, other].filter(function (candidate) {
      return candidate && !candidate.disabled;
    })[0];
    if (choice) choice.focus();
  });

  // Upload progress ------------------------------------------------------------------------------
  // A form marked data-upload sends its file with XMLHttpRequest to show progress, then shows the
  // page the server answers with (its messages say how it went), as a plain submit would.

  function say(box, name) {
    box.querySelector(".upload-progress__text").textContent = box.dataset[name];
  }

  function pageShow(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.getElementById("main");
    var current = document.getElementById("main");
    if (!fresh || !current) {
      window.location.assign(url);
      return;
    }
    current.replaceWith(fresh);
    document.title = page.title;
    if (url && url !== window.location.href.split("#")[0]) window.history.pushState(null, "", url);
    window.htmx.process(fresh);
    init(fresh);
    fresh.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
    });
    var alert = fresh.querySelector(".messages .alert");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    } else {
      fresh.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-upload]") || !window.FormData) return;
    var input = form.querySelector('input[type="file"]');
    var box = form.querySelector("[data-upload-progress]");
    if (!input || !input.files.length || !box) return;
    event.preventDefault();
    var bar = box.querySelector("progress");
    var text = box.querySelector(".upload-progress__text");
    var buttons = form.querySelectorAll('button[type="submit"]');
    var request = new XMLHttpRequest();
    var announced = 0;

    function finish() {
      buttons.forEach(function (button) {
        button.disabled = false;
      });
      box.querySelector("[data-upload-cancel]").hidden = true;
    }

    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      var percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      if (percent >= announced + 10 || percent === 100) {
        announced = percent - (percent % 10);
        text.textContent = percent + " %";
      }
      if (percent === 100) say(box, "processing");
    });
    request.addEventListener("load", function () {
      finish();
      if (request.status >= 200 && request.status < 400) pageShow(request.responseText, request.responseURL);
      else say(box, "refused");
    });
    request.addEventListener("error", function () {
      finish();
      say(box, "failed");
    });
    request.addEventListener("abort", function () {
      finish();
      bar.value = 0;
      say(box, "cancelled");
    });
    box.querySelector("[data-upload-cancel]").onclick = function () {
      request.abort();
    };

    buttons.forEach(function (button) {
      button.disabled = true;
    });
    box.hidden = false;
    box.querySelector("[data-upload-cancel]").hidden = false;
    bar.value = 0;
    text.textContent = "0 %";
    request.open("POST", form.action);
    request.send(new FormData(form));
  });

  // Quiz builder ---------------------------------------------------------------------------------
  // "Add an answer" copies the last row with the next number; a short-text question hides the
  // "correct" boxes, since every answer it lists is accepted.

  function answerAdd(form) {
    var rows = form.querySelector("[data-answer-rows]");
    var last = rows.querySelector("[data-answer-row]:last-child");
    var count = rows.querySelectorAll("[data-answer-row]").length;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input, label").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/option_\d+_/, "option_" + count + "_"));
      });
      if (element.type === "checkbox") element.checked = false;
      else if (element.tagName === "INPUT") element.value = "";
    });
    copy.querySelectorAll("label").forEach(function (label) {
      label.innerHTML = label.innerHTML.replace(/\d+(?=\)?\s*(<\/span>)?$)/, String(count + 1));
    });
    rows.appendChild(copy);
    form.querySelector('input[name$="option_rows"]').value = count + 1;
    answerButtonUpdate(form);
    copy.querySelector('input[type="text"]').focus();
  }

  function answerButtonUpdate(form) {
    var rows = form.querySelector("[data-answer-rows]");
    var button = form.querySelector("[data-answer-add]");
    var disabled = form.querySelector("fieldset[disabled]");
    button.hidden = Boolean(disabled) || rows.children.length >= Number(rows.dataset.max);
  }

  function kindShow(form) {
    var kind = form.querySelector('select[name$="kind"]');
    if (kind) form.classList.toggle("is-short-text", kind.value === "short_text");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-answer-add]");
    if (button) answerAdd(button.closest("form"));
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-question-form]");
    if (form && event.target.matches("select")) kindShow(form);
  });

  function init(root) {
    root.querySelectorAll("[data-sortable-root] [data-drag-handle]").forEach(function (handle) {
      handle.hidden = false;
      handle.closest("[data-move-url]").draggable = true;
    });
    root.querySelectorAll("[data-question-form]").forEach(function (form) {
      answerButtonUpdate(form);
      kindShow(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
