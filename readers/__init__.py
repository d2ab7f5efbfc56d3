"""Reading client bytes safely: text, tables of strings, within budgets; no doc-type knowledge."""
