"""Administration: accounts, roles and the audit trail."""
