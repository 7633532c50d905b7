#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/distinct_counter.h"
#include "core/fixed_text.h"
#include "core/timed_table.h"
#include "core/top_k.h"
#include "parsers/mail_log/mail_log.h"
#include "parsers/net/address.h"

namespace edgewatch {

struct MailLogSettings {
  std::vector<std::string> rbls;  // list names kept as labels; the rest count as "other"
  std::int64_t window_ns = 3'600'000'000'000;
};

// Snowshoe indicators as of one moment.
struct SnowshoeView {
  double networks_v4 = 0;  // distinct client /24s
  double networks_v6 = 0;  // distinct client /48s
  double sender_domains = 0;
  std::uint64_t messages = 0;  // accepted from non-loopback clients
  // Messages per client network: low (one or two) when a stream is spread thin.
  double messages_per_network() const {
    const double networks = networks_v4 + networks_v6;
    return networks > 0 ? static_cast<double>(messages) / networks : 0;
  }
};

// A SASL user as a top-K key: lower case, cut to 64 bytes.
using MailUserKey = FixedText<64>;
// A Postfix queue id (short hex, or the long form of enable_long_queue_ids).
using QueueIdKey = FixedText<24>;
// Messages submitted by a SASL user whose qmgr line (with the recipients) has not come yet:
// it follows within milliseconds; slots hold 4096 and are forgotten after the window.
inline constexpr std::size_t kPendingSubmissions = 4096;

// How many entries the mail top lists export (each holds four times as many keys).
inline constexpr std::size_t kMailTopK = 10;

// What one mail log showed, in fixed arrays and fixed-size sketches: Add() does no allocation
// and no label lookup. Loopback clients (a content filter re-injecting mail) are left out of
// connections, accepted messages and client networks. The snowshoe indicators count the MX
// (smtpd on port 25, and postscreen) only: customers sending through submission come from
// their own many networks and would look like a snowshoe run.
class MailLogStats {
 public:
  explicit MailLogStats(const MailLogSettings& settings);

  void Add(const mail_log::Event& e, std::int64_t now_ns);
  void AddUnparsed() { ++unparsed_; }

  std::uint64_t connections(mail_log::SmtpService s) const {
    return connections_[static_cast<std::size_t>(s)];
  }
  std::uint64_t accepted(mail_log::SmtpService s) const {
    return accepted_[static_cast<std::size_t>(s)];
  }
  std::uint64_t unparsed() const { return unparsed_; }
  std::uint64_t rejects(mail_log::Stage s, mail_log::Reason r) const {
    return rejects_[static_cast<std::size_t>(s)][static_cast<std::size_t>(r)];
  }
  // Per settings.rbls entry, then "other".
  const std::vector<std::uint64_t>& rbl_rejects() const { return rbl_rejects_; }
  std::uint64_t postscreen(mail_log::PostscreenResult r) const {
    return postscreen_[static_cast<std::size_t>(r)];
  }
  std::uint64_t verdicts(mail_log::Filter f, mail_log::Verdict v, mail_log::Action a) const {
    return verdicts_[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)]
                    [static_cast<std::size_t>(a)];
  }
  std::uint64_t deliveries(mail_log::Delivery d) const {
    return deliveries_[static_cast<std::size_t>(d)];
  }
  SnowshoeView Snowshoe(std::int64_t now_ns);

  // Failed password attempts, by who refused them.
  std::uint64_t auth_failures(mail_log::AuthService s) const {
    return auth_failures_[static_cast<std::size_t>(s)];
  }
  // The client networks (/24, /48) with the most failed attempts in the window: a password
  // spray or brute force, and where from.
  TopList<net::Address> TopAuthFailureNetworks(std::int64_t now_ns);
  // The SASL users that submitted the most messages in the window: a compromised account
  // sending spam tops it.
  TopList<MailUserKey> TopSaslSenders(std::int64_t now_ns);
  // The SASL users whose submissions had the most recipients in the window: spam sent as few
  // messages to many recipients each.
  TopList<MailUserKey> TopSaslRecipients(std::int64_t now_ns);

 private:
  void AddNetwork(const std::optional<net::Address>& client, std::int64_t now_ns);

  MailLogSettings settings_;
  std::array<std::uint64_t, mail_log::kSmtpServiceCount> connections_{};
  std::array<std::uint64_t, mail_log::kSmtpServiceCount> accepted_{};
  std::uint64_t unparsed_ = 0;
  std::array<std::array<std::uint64_t, mail_log::kReasonCount>, mail_log::kStageCount> rejects_{};
  std::vector<std::uint64_t> rbl_rejects_;
  std::array<std::uint64_t, mail_log::kPostscreenResultCount> postscreen_{};
  std::array<std::array<std::array<std::uint64_t, mail_log::kActionCount>, mail_log::kVerdictCount>,
             mail_log::kFilterCount>
      verdicts_{};
  std::array<std::uint64_t, mail_log::kDeliveryCount> deliveries_{};
  WindowedDistinct networks_v4_;
  WindowedDistinct networks_v6_;
  WindowedDistinct sender_domains_;
  WindowedDistinct messages_;  // only its event counts are used
  std::array<std::uint64_t, mail_log::kAuthServiceCount> auth_failures_{};
  WindowedTopK<net::Address> auth_failure_networks_;
  WindowedTopK<MailUserKey> sasl_senders_;
  WindowedTopK<MailUserKey> sasl_recipients_;
  TimedTable<QueueIdKey, MailUserKey, QueueIdKey::Hash> pending_submissions_;
  std::uint64_t pending_ = 0;  // recorded, not joined (expired ones included)
};

// `a` with its host bits cleared: the /24 of an IPv4 address, the /48 of an IPv6 one.
net::Address ClientNetwork(const net::Address& a);

}  // namespace edgewatch
