"""Outcome labels beyond the supervisor's follow-up: the random sample and external lists.

`sample` draws interviews below review for an outcome follow-up at submission; `imports`
reads an external list (border posts, BP3MI, police) and links its events to the people's
interviews by keyed NIK hash. Neither imports Flask.
"""
