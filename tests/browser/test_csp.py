"""The admin under its Content-Security-Policy in a real browser (Debian's Chromium through
Playwright, over the demo database): a tour of every menu page, a record of each list, the
forms, every filter of every list, the sign-in and error pages, and not one page
reports a violation (``securitypolicyviolation`` events or a console message). The behaviour
moved out of inline handlers (static/wushe.js) still works: confirmations and bulk actions.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from tests.browserkit import sign_in

pytestmark = pytest.mark.browser

# Registered before any script of each page: the violations the page reports.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


class Tour:
    """A page that remembers every CSP violation reported along the way, by URL."""

    def __init__(self, page, site):
        self.page, self.site = page, site
        self.problems: list[str] = []
        self.visited: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"{self.page.url}: console: {text}")

    def collect(self) -> None:
        try:
            found = self.page.evaluate("window.__violations || []")
        except Exception:  # the page is navigating; its violations go with it
            return
        self.problems += [f"{self.page.url}: {v}" for v in found]
        self.page.evaluate("window.__violations = []")

    def visit(self, path: str):
        response = self.page.goto(urljoin(self.site.base, path))
        self.page.wait_for_load_state("load")
        self.visited.append(path)
        self.collect()
        return response


def _menu_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#admin-navbar-collapse a[href^='/admin']", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def _try_the_list_controls(tour) -> None:
    """Open the filter menu and add a filter, open the bulk-action menu, click the list tab:
    the parts of Flask-Admin's list that had inline handlers or ``javascript:`` links."""
    page = tour.page
    add_filter = page.locator("a.nav-link.dropdown-toggle", has_text=re.compile("添加筛选器|Add Filter"))
    for i in range(page.locator("a.dropdown-item.filter").count() if add_filter.count() else 0):
        add_filter.first.click()
        page.locator("a.dropdown-item.filter").nth(i).click()  # each kind of filter input
        tour.collect()
    tab = page.locator("ul.nav-tabs a.nav-link.active[href^='javascript:']")
    if tab.count():
        tab.first.click()
        tour.collect()


def test_no_page_of_a_tour_of_the_admin_reports_a_csp_violation(page, site):
    tour = Tour(page, site)
    tour.visit("/login")
    tour.visit("/no/such/page")
    sign_in(page, site, "demo")
    tour.collect()
    links = _menu_links(page)
    assert len(links) >= 15, links
    for link in links:
        response = tour.visit(link)
        assert response.status < 400, link
        _try_the_list_controls(tour)
        details = page.locator("a[href*='/details/?id=']")
        if details.count():
            tour.visit(details.first.get_attribute("href"))
        edit = page.locator("a[href*='/edit/?id=']")
        if edit.count():
            tour.visit(edit.first.get_attribute("href"))
    for extra in ("/admin/workers/?flt0_0=511802", "/admin/invites/new/",
                  "/admin/targets/new/", "/admin/organizations/new/"):
        tour.visit(extra)
    tour.visit("/lang/en?next=/admin/")
    tour.visit("/admin/")
    assert len(tour.visited) > 30
    assert not tour.problems, "\n".join(tour.problems)


def test_bulk_actions_and_confirmations_work_without_inline_handlers(page, site):
    tour = Tour(page, site)
    sign_in(page, site, "demo")
    tour.visit("/admin/workers/")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", answer)
    # nothing selected: Flask-Admin's actions.js says so (data-model-action reached it)
    page.locator("a.dropdown-toggle", has_text=re.compile("选中的|With selected")).click()
    page.locator("[data-model-action]").first.click()
    assert dialogs and dialogs[-1]
    # a confirmation declined: the form is not sent
    page.locator("input.action-checkbox").first.check()
    page.locator("a.dropdown-toggle", has_text=re.compile("选中的|With selected")).click()
    url = page.url
    page.locator("[data-model-action]").first.click()
    assert len(dialogs) == 2 and page.url == url
    tour.collect()
    assert not tour.problems, "\n".join(tour.problems)
