// The agents' console: the queue, the agent's active conversations with unread
// counts, one open conversation with typing both ways. All state arrives over
// the socket; the server's database is the truth, so a reconnect redraws.
(function () {
  "use strict";
  const root = document.getElementById("chat-console");
  if (!root) return;
  const t = root.dataset;
  const me = Number(t.me);
  const el = (id) => document.getElementById(id);
  const waitingList = el("queue-waiting");
  const activeList = el("queue-active");
  const pane = el("chat-pane");
  const log = el("pane-log");
  const typing = el("pane-typing");
  const error = el("pane-error");
  const input = el("pane-body");
  const status = el("console-status");
  const conversations = new Map(); // id → conversation payload with `unread`
  let selected = null;
  let lastVisitorLine = "";

  function render() {
    waitingList.textContent = "";
    activeList.textContent = "";
    const rows = Array.from(conversations.values()).sort((a, b) => a.id - b.id);
    for (const c of rows) {
      if (c.status === "closed") continue;
      const li = document.createElement("li");
      li.className = "queue-item" + (c.id === selected ? " selected" : "");
      li.dataset.conversation = c.id;
      const name = document.createElement("button");
      name.type = "button";
      name.className = "link open";
      name.textContent = "#" + c.id + " " + c.visitor_name;
      li.append(name);
      if (c.unread) {
        const badge = document.createElement("span");
        badge.className = "badge unread";
        badge.textContent = c.unread;
        li.append(" ", badge);
      }
      if (c.status === "waiting") {
        const accept = document.createElement("button");
        accept.type = "button";
        accept.className = "accept";
        accept.textContent = t.tAccept;
        li.append(" ", accept);
        waitingList.append(li);
      } else if (c.agent_id === me) {
        activeList.append(li);
      }
    }
    if (!waitingList.children.length) waitingList.innerHTML = '<li class="empty"></li>';
    if (!waitingList.querySelector(".queue-item")) waitingList.firstChild.textContent = t.tNone;
  }

  function who(message) {
    if (message.sender === "visitor") return t.tVisitor;
    return message.author || "";
  }
  function add(message) {
    if (log.querySelector('[data-id="' + message.id + '"]')) return;
    log.append(GuanxiChat.line(message, who(message)));
    log.scrollTop = log.scrollHeight;
    if (message.sender === "visitor") suggest(message.body);
  }
  function suggest(text) {
    lastVisitorLine = text;
    if (!t.suggestUrl || !window.htmx) return;
    htmx.ajax("GET", t.suggestUrl + "?q=" + encodeURIComponent(text), {
      target: "#kb-suggest",
      swap: "innerHTML",
    });
  }
  function markRead(id, upto) {
    const c = conversations.get(id);
    if (c) c.unread = 0;
    if (upto) socket.send({ type: "read", conversation: id, upto: upto });
  }
  function open(id) {
    selected = id;
    const c = conversations.get(id);
    pane.hidden = false;
    el("pane-title").textContent = "#" + id + " " + (c ? c.visitor_name : "");
    el("pane-detail").href = t.detailUrl.replace("/0/", "/" + id + "/");
    log.textContent = "";
    typing.hidden = true;
    socket.send({ type: "history", conversation: id });
    render();
  }
  function upsert(c) {
    const known = conversations.get(c.id);
    conversations.set(c.id, Object.assign({ unread: 0 }, known || {}, c));
  }

  const socket = new GuanxiChat.ChatSocket(t.socket, {
    open() {
      status.textContent = t.tOnline;
    },
    queue(frame) {
      conversations.clear();
      frame.waiting.concat(frame.active).forEach(upsert);
      render();
      if (selected) open(selected);
    },
    history(frame) {
      upsert(frame.conversation);
      if (frame.conversation.id !== selected) return;
      log.textContent = "";
      frame.messages.forEach(add);
      const last = frame.messages[frame.messages.length - 1];
      const mine = frame.conversation.status === "active" && frame.conversation.agent_id === me;
      el("pane-form").hidden = !mine;
      markRead(selected, mine && last ? last.id : 0);
      render();
    },
    status(frame) {
      const c = frame.conversation;
      upsert(c);
      if (c.id === selected) {
        if (c.status === "closed") {
          el("pane-form").hidden = true;
          typing.hidden = true;
        } else if (c.status === "active" && c.agent_id !== me) {
          pane.hidden = true; // another agent took it
          selected = null;
        }
      }
      render();
    },
    message(frame) {
      const c = conversations.get(frame.conversation);
      if (frame.conversation === selected) {
        add(frame.message);
        typing.hidden = true;
        if (frame.message.sender === "visitor" && document.visibilityState === "visible") {
          markRead(selected, frame.message.id);
        }
      } else if (c && frame.message.sender === "visitor") {
        c.unread = (c.unread || 0) + 1;
      }
      render();
    },
    queue_message(frame) {
      const c = conversations.get(frame.conversation);
      if (c && frame.conversation !== selected) c.unread = (c.unread || 0) + 1;
      if (frame.conversation === selected) add(frame.message);
      render();
    },
    typing(frame) {
      if (frame.conversation !== selected) return;
      typing.textContent = t.tTyping;
      typing.hidden = !frame.typing;
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
  const signal = new GuanxiChat.TypingSignal((on) => {
    if (selected) socket.send({ type: "typing", conversation: selected, typing: on });
  });

  root.addEventListener("click", (event) => {
    const item = event.target.closest("[data-conversation]");
    if (!item) return;
    const id = Number(item.dataset.conversation);
    if (event.target.classList.contains("accept")) {
      selected = id;
      socket.send({ type: "accept", conversation: id });
      open(id);
    } else if (event.target.classList.contains("open")) {
      open(id);
    }
  });
  function submit() {
    const body = input.value.trim();
    if (!body || !selected) return;
    if (socket.send({ type: "message", conversation: selected, body: body, client_id: String(Date.now()) })) {
      input.value = "";
      signal.stop();
    }
  }
  el("pane-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => signal.key());
  el("pane-close").addEventListener("click", () => {
    if (selected) socket.send({ type: "close", conversation: selected });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !selected) return;
    const last = log.querySelector(".line.from-visitor:last-of-type");
    if (last) markRead(selected, Number(last.dataset.id));
    render();
  });
})();
