"""The verbs of the service: what the web layer and the CLI ask for.

Each module holds one family of verbs; views parse a request, call one verb, render.
Verbs take and return model objects or plain values and commit their own transactions.
"""
