"""The domain: forms, parsing, reports, schema, registry, importing, applications, i18n."""
