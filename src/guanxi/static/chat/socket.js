// A WebSocket that reconnects (1 s, 2 s, … up to 15 s) and parses JSON frames.
// Shared by the visitor widget and the agent console; our own code, no library.
(function () {
  "use strict";
  function ChatSocket(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.delay = 1000;
    this.closedByUs = false;
    this.open();
  }
  ChatSocket.prototype.open = function () {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + window.location.host + this.path);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 1000;
      if (this.handlers.open) this.handlers.open();
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      const handler = this.handlers[frame.type];
      if (handler) handler(frame);
    };
    ws.onclose = () => {
      if (this.handlers.down) this.handlers.down();
      if (this.closedByUs) return;
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    };
  };
  ChatSocket.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };
  // Typing: "true" at the first key, "false" after 2 s of quiet or on send.
  function TypingSignal(send) {
    this.send = send;
    this.on = false;
    this.timer = null;
  }
  TypingSignal.prototype.key = function () {
    if (!this.on) {
      this.on = true;
      this.send(true);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), 2000);
  };
  TypingSignal.prototype.stop = function () {
    clearTimeout(this.timer);
    if (this.on) {
      this.on = false;
      this.send(false);
    }
  };
  function line(message, who) {
    const li = document.createElement("li");
    li.className = "line from-" + message.sender;
    li.dataset.id = message.id;
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who;
    const time = document.createElement("time");
    time.textContent = (message.created_at || "").slice(11, 16);
    const body = document.createElement("div");
    body.className = "body";
    body.textContent = message.body; // text, never HTML: the other side typed it
    li.append(name, time, body);
    return li;
  }
  window.GuanxiChat = { ChatSocket: ChatSocket, TypingSignal: TypingSignal, line: line };
})();
