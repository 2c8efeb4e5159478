"""Feeder stage: reads wire copy from files and publishes raw articles."""
