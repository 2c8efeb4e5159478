"""Plumbing every stage shares: settings, codec, dead letters, clients, Faust app factory."""
