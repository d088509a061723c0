"""Answers to the questions customers often ask: kept by editors, matched to customers' words."""
