"""Importing customers, contacts and purchases from CSV and Excel files.

reading  — bytes → header + rows of text (encodings, CSV, xlsx)
mapping  — header guesses (Chinese and English) and place names → GB/T 2260 codes
rows     — one file row → validated values, with the forms' rules
runner   — chunks, resume after a crash, bulk writes, the rejected-row report
"""
