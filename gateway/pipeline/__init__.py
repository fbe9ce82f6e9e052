"""The extracts pipeline: validate -> decide -> price -> read -> protect -> record -> deliver."""
