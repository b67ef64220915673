"""WebSocket routes of the live chat (mounted by guanxi.asgi)."""

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/chat/visitor/<int:conversation_id>/", consumers.VisitorConsumer.as_asgi()),
    path("ws/chat/console/", consumers.AgentConsumer.as_asgi()),
]
