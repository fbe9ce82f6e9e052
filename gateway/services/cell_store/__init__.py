"""The store version every node must serve: recorded at publication, compared by each node."""
