// SPDX-License-Identifier: GPL-2.0-or-later
#include "target_options.hpp"

#include "exit_codes.hpp"

namespace qplug::cli {

void add_target_options(CLI::App* cmd, TargetCliOptions& o) {
    cmd->add_option("--profile", o.target.profile,
                    "The QGIS profile: a folder, or a name under --profiles-path (default: "
                    "QGIS's default profile, as profiles.ini names it)");
    cmd->add_option("--profiles-path", o.target.profiles_path,
                    "The folder that holds profiles/, as QGIS's --profiles-path (default: "
                    "~/.local/share/QGIS/QGIS3)");
    cmd->add_option("--plugins-dir", o.target.plugins_dir,
                    "A plain plugins folder instead of a profile (a QGIS Server's "
                    "QGIS_PLUGINPATH)");
    cmd->add_option("--python-exe", o.target.python,
                    "The interpreter of the Python environment pip installs into and whose "
                    "packages count as installed (default: the python3 beside `qgis`, else "
                    "python3; 'none': no environment)");
    cmd->add_option("--conda-prefix", o.target.conda_prefix,
                    "A conda environment whose packages count as installed and that conda "
                    "changes");
}

std::optional<solver::Target> open_target(const TargetCliOptions& o, const CommonOptions& common,
                                          int& exit_code) {
    auto target = solver::Target::open(o.target);
    if (!target) {
        exit_code = target.error().kind == Error::Kind::parse
                        ? report_invalid(target.error(), common)
                        : report_failure(target.error().to_string(), common);
        return std::nullopt;
    }
    return std::move(*target);
}

} // namespace qplug::cli
