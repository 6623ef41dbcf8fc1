"""The chat edge: python-telegram-bot handlers, thin over the domain services."""
