"""Demo content for the embedded setup: facts from ``seeds/FACTS.md``, written for this site.

``content`` holds the texts and figures, ``images`` draws placeholder pictures locally,
``loader`` puts both into the database without touching what editors have changed.
"""
