"""The JSON API (/api/v1), organizer API keys and the OSDI view (/api/osdi/v1)."""
