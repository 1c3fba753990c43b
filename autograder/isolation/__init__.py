"""Running student code apart: the sandbox client, the worker, its fork server, the wire format."""
