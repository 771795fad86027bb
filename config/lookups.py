"""``field__any=[…]``: ``= ANY(%s)`` with one array parameter instead of ``IN (%s, %s, …)``.

Django prepares every element of an ``__in`` list on its own; for the matrix worker's
thousands of ids per chunk that costs more than the query. One array parameter does not.
"""

from django.db.models import Field, ForeignObject, Lookup


class AnyLookup(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


Field.register_lookup(AnyLookup)
# Foreign keys resolve lookups of their own (Related*); ``user_id__any`` compares the column.
ForeignObject.register_lookup(AnyLookup)
