"""The company as planning tables: export the composed config as a workbook, import one back (every cell
checked), a blank template; see docs/own-company.md."""
