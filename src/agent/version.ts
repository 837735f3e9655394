// The agent's version, sent as `agent_version` in heartbeats and served by GET /v1/status. A constant, not
// read from package.json, because the agent runs bundled into one file; a test keeps the two equal.
export const AGENT_VERSION = '0.1.0';
