from django.apps import AppConfig


class QuestsConfig(AppConfig):
    """Quizzes, tasks, points and prizes: the game layer of the programme's mini-app."""

    name = "quests"
    verbose_name = "Викторины и призы"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from booking import gates, signals
        from quests import accounts, services

        # Registration for a gated session opens only to those who did its task.
        gates.register(services.check_session_gate)
        # Attendance a host marks is worth points and completes attendance tasks.
        signals.attendance_marked.connect(
            services.on_attendance_marked, dispatch_uid="quests.attendance"
        )
        post_migrate.connect(accounts.grant_staff_permissions, dispatch_uid="quests.staff")
