"""Thin Lambda handlers, one per state: parse the event, call one logic function, return a model dump."""
