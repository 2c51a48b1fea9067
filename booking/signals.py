"""What booking tells other domains, sent inside the transaction of the change."""

from django.dispatch import Signal

# A host marked a registration ATTENDED or NO_SHOW: ``registration`` (saved), ``attended``.
# Sent inside the transaction that saved it, so a receiver's writes commit or roll back
# with the mark.
attendance_marked = Signal()
