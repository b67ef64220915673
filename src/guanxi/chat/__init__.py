"""Live chat (在线客服): WebSocket conversations between customers and agents."""
