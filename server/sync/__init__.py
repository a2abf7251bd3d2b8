"""Sync upstream: webhook endpoints, the outbox relay and Standard Webhooks signing."""
