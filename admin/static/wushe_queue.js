/* The review queue and the report page (no inline handlers: the CSP forbids them):
   - #queue-pick-all ticks or clears every report shown in the queue;
   - a button with data-reason puts its reason into the form's textarea, to be edited. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var all = event.target;
    if (all.id !== "queue-pick-all") {
      return;
    }
    document.querySelectorAll("#queue-bulk input[name=ids]").forEach(function (box) {
      box.checked = all.checked;
    });
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-reason]") : null;
    if (!target) {
      return;
    }
    event.preventDefault();
    var form = target.closest("form");
    var box = form ? form.querySelector("textarea[name=reason]") : null;
    if (box) {
      box.value = target.getAttribute("data-reason");
      box.focus();
      box.classList.remove("is-invalid");
    }
  });
})();
