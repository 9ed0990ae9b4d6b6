"""The MCP server: the assistant's questions as tools for agents and desktop assistants."""
