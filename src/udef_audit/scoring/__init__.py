"""Scoring: turn repository facts into the methodology's criteria and scores."""
