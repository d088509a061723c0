"""The conversation engine: channel-agnostic flows over the normalised message types."""

from bot.engine.conversation import ConversationEngine, Turn

__all__ = ["ConversationEngine", "Turn"]
