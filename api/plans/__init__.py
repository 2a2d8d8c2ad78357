"""Compiled query plans: the fast path for documents clients send again and again.

``compile`` turns a validated document into a :class:`~api.plans.tree.Field`
tree, ``run`` executes one level per nested table and builds the response
dicts, ``values`` holds the per-type value getters and column maps, ``tree``
the plan's shape. The reference executor (``api.schema``) stays the judge:
anything a plan cannot answer exactly raises ``Fallback``.
"""
