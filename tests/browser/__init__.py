"""The admin in a real browser (Chromium through Playwright)."""
