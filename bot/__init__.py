"""advocacy-bot: a Telegram bot for Amnesty International USA's Urgent Action UA 150.18."""
