"""Demo content for the embedded setup: real facts about the programme, texts written for it.

``content`` holds the texts and figures, ``images`` draws placeholder pictures locally,
``loader`` puts both into the database without touching what editors have changed.
"""
