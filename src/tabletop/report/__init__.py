"""The after-action report and improvement plan (AAR/IP).

Two public steps, kept apart so each can be measured and reused:
:func:`~tabletop.report.build.build_report_model` turns a session into a
:class:`~tabletop.report.model.Report`; :func:`~tabletop.report.render.render`
turns a report into HTML, Markdown or JSON text.
"""
