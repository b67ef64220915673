// The visitor's chat widget: one conversation, named by the signed cookie the
// server set; this script never sees the token (HttpOnly), the socket sends it.
(function () {
  "use strict";
  const root = document.getElementById("chat-widget");
  if (!root) return;
  const t = root.dataset;
  const log = document.getElementById("chat-log");
  const status = document.getElementById("chat-status");
  const typing = document.getElementById("chat-typing");
  const error = document.getElementById("chat-error");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-body");
  const rating = document.getElementById("chat-rating");
  const closeButton = document.getElementById("chat-close");
  const baseTitle = document.title;
  let lastId = 0;
  let unread = 0;
  let agentName = "";

  function who(message) {
    if (message.sender === "visitor") return t.tYou;
    if (message.sender === "agent") return message.author || t.tAgent;
    return "";
  }
  function add(message) {
    if (log.querySelector('[data-id="' + message.id + '"]')) return;
    log.append(GuanxiChat.line(message, who(message)));
    log.scrollTop = log.scrollHeight;
    lastId = Math.max(lastId, message.id);
  }
  function showStatus(conversation) {
    agentName = conversation.agent || agentName;
    if (conversation.status === "waiting") status.textContent = t.tWaiting;
    else if (conversation.status === "active") status.textContent = t.tActive.replace("%(name)s", agentName);
    else status.textContent = t.tClosed;
    const closed = conversation.status === "closed";
    form.hidden = closed;
    closeButton.hidden = closed;
    if (closed) typing.hidden = true;
    return closed;
  }
  function markRead() {
    if (document.visibilityState !== "visible" || !lastId) return;
    unread = 0;
    document.title = baseTitle;
    socket.send({ type: "read", upto: lastId });
  }

  const socket = new GuanxiChat.ChatSocket(root.dataset.socket, {
    history(frame) {
      log.textContent = "";
      frame.messages.forEach(add);
      const closed = showStatus(frame.conversation);
      rating.hidden = !closed || frame.rating !== null;
      markRead();
    },
    message(frame) {
      add(frame.message);
      if (frame.message.sender !== "visitor") {
        typing.hidden = true;
        if (document.visibilityState === "visible") markRead();
        else {
          unread += 1;
          document.title = "(" + unread + " " + t.tUnread + ") " + baseTitle;
        }
      }
    },
    typing(frame) {
      typing.textContent = t.tTyping;
      typing.hidden = !frame.typing;
    },
    status(frame) {
      const closed = showStatus(frame.conversation);
      if (closed) rating.hidden = false;
    },
    rated() {
      rating.hidden = true;
      status.textContent = t.tThanks;
    },
    error(frame) {
      error.textContent = frame.message;
      error.hidden = false;
      setTimeout(() => (error.hidden = true), 4000);
    },
    down() {
      status.textContent = t.tOffline;
    },
  });
  const signal = new GuanxiChat.TypingSignal((on) => socket.send({ type: "typing", typing: on }));

  function submit() {
    const body = input.value.trim();
    if (!body) return;
    if (socket.send({ type: "message", body: body, client_id: String(Date.now()) })) {
      input.value = "";
      signal.stop();
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault(); // Enter sends; Shift+Enter and the IME's Enter do not
      submit();
    }
  });
  input.addEventListener("input", () => signal.key());
  closeButton.addEventListener("click", () => socket.send({ type: "close" }));
  rating.addEventListener("click", (event) => {
    const score = event.target.dataset && event.target.dataset.score;
    if (score) socket.send({ type: "rate", score: Number(score) });
  });
  document.addEventListener("visibilitychange", markRead);
})();
