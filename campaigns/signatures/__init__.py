"""Signing: the sign form, confirmation, withdrawal, counting and abuse limits."""
