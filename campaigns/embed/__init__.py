"""The embeddable sign widget: a compact sign form other sites show in an iframe."""
