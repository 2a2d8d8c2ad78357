"""The ground floor: what every layer shares and nothing of ours is imported by.

``errors`` is the one error hierarchy, ``config`` the settings read once at
start-up, ``records`` the typed records that ``loaders`` produce, ``db`` writes
and the server reports on. This package imports nothing else of newsgraph.
"""
