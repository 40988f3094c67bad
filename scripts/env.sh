# Environment shared by the entry points (sourced by build_book.sh, run_tests.sh, .ci/run and
# system_packages.sh; plain POSIX/bash 3 so that macOS's /bin/bash runs it too).
#   DLBOOK_OFFLINE=1  downloads are off: Hugging Face's libraries are told so too
#                     (HF_HUB_OFFLINE=1), so a missing model fails at once instead of after
#                     25-45 s of retries.

dlbook_is_yes() {  # dlbook_is_yes VALUE: true for 1, true, yes, on (any case)
  case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')" in
    1 | true | yes | on) return 0 ;;
    *) return 1 ;;
  esac
}

if dlbook_is_yes "${DLBOOK_OFFLINE:-}"; then
  export HF_HUB_OFFLINE=1
fi
