"""The admin: pages, access, exports, imports, review and accounts."""
