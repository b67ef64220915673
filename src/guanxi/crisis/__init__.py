"""Crisis events (危机事件): risk level, affected customers, response, communication, recovery."""
