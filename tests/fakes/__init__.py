"""Fakes at the network edge: real HTTP servers on 127.0.0.1 speaking Telegram's and Twilio's
wire formats, for tests and benches that drive the real client libraries."""
