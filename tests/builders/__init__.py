"""Plain functions that build test data through the services; no fixtures here."""
