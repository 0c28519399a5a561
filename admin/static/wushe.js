/* The navbar's product name, moved where a phone shows it (brandOutside); and what the
   admin's pages would otherwise do in inline handlers, which the
   Content-Security-Policy forbids (admin/security.py):
   - data-confirm on a form or a button: ask before submitting;
   - data-model-action on a link: run Flask-Admin's bulk action (actions.js);
   - a link to "javascript:void(0)" (Flask-Admin's menus and tabs) does not navigate, since
     the policy would refuse that navigation and report it. */
(function () {
  "use strict";

  // Flask-Admin puts the product's name inside the collapsible menu, so a phone showed only
  // the menu button: the name goes before the button, seen at every width.
  function brandOutside() {
    var brand = document.querySelector("nav.navbar .navbar-collapse > .navbar-brand");
    if (brand) {
      brand.parentNode.parentNode.insertBefore(brand, brand.parentNode.parentNode.firstChild);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", brandOutside);
  } else {
    brandOutside();
  }

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var asking = target.closest("button[data-confirm], input[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var link = target.closest("a[href^='javascript:']");
    if (link) {
      event.preventDefault();
    }
    var action = target.closest("[data-model-action]");
    if (action && window.modelActions) {
      window.modelActions.execute(action.getAttribute("data-model-action"));
    }
  }, true);
})();
