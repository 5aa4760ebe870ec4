from django.utils.cache import patch_cache_control


class NoStorePersonalData:
    """`Cache-Control: no-store` on every response that carries personal data: the page or
    download said so (privacy.services.mark_personal_data, which every access-log line also
    calls), so a shared computer's browser cache or a proxy keeps no copy of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "carries_personal_data", False):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response
