#include "collectors/mail_log_state.h"

#include "parsers/net/address.h"

namespace edgewatch {
namespace {

// HyperLogLog precision: 4096 registers, a standard error of 1.6%; six slices of the window.
constexpr int kPrecision = 12;
constexpr int kSlices = 6;

bool IsLoopback(const net::Address& a) {
  if (a.v6) {
    static constexpr std::array<std::uint8_t, 16> kOne = {0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0, 1};
    return a.bytes == kOne;
  }
  return a.bytes[0] == 127;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

}  // namespace

MailLogStats::MailLogStats(const MailLogSettings& settings)
    : settings_(settings),
      rbl_rejects_(settings.rbls.size() + 1, 0),
      networks_v4_(kPrecision, kSlices, settings.window_ns),
      networks_v6_(kPrecision, kSlices, settings.window_ns),
      sender_domains_(kPrecision, kSlices, settings.window_ns),
      messages_(4, kSlices, settings.window_ns),
      auth_failure_networks_(kMailTopK * 4, settings.window_ns),
      sasl_senders_(kMailTopK * 4, settings.window_ns),
      sasl_recipients_(kMailTopK * 4, settings.window_ns),
      pending_submissions_(kPendingSubmissions, settings.window_ns) {}

net::Address ClientNetwork(const net::Address& a) {
  net::Address n = a;
  for (std::size_t i = a.v6 ? 6 : 3; i < n.bytes.size(); ++i) {
    n.bytes[i] = 0;
  }
  return n;
}

TopList<net::Address> MailLogStats::TopAuthFailureNetworks(std::int64_t now_ns) {
  return auth_failure_networks_.Top(now_ns, kMailTopK);
}

TopList<MailUserKey> MailLogStats::TopSaslSenders(std::int64_t now_ns) {
  return sasl_senders_.Top(now_ns, kMailTopK);
}

TopList<MailUserKey> MailLogStats::TopSaslRecipients(std::int64_t now_ns) {
  return sasl_recipients_.Top(now_ns, kMailTopK);
}

void MailLogStats::AddNetwork(const std::optional<net::Address>& a, std::int64_t now_ns) {
  if (!a || IsLoopback(*a)) {
    return;
  }
  // The /24 or /48: a snowshoe sender spreads over many small networks.
  const auto prefix =
      std::string_view(reinterpret_cast<const char*>(a->bytes.data()), a->v6 ? 6 : 3);
  (a->v6 ? networks_v6_ : networks_v4_).Add(now_ns, DistinctHash(prefix));
}

void MailLogStats::Add(const mail_log::Event& e, std::int64_t now_ns) {
  using mail_log::EventKind;
  const auto client = e.client.empty() ? std::nullopt : net::ParseAddress(e.client);
  const bool loopback = client && IsLoopback(*client);
  const bool mx = e.smtp_service == mail_log::SmtpService::kSmtpd;
  switch (e.kind) {
    case EventKind::kConnect:
      if (!loopback) {
        ++connections_[static_cast<std::size_t>(e.smtp_service)];
        if (mx) {
          AddNetwork(client, now_ns);
        }
      }
      break;
    case EventKind::kAccepted:
      if (!loopback) {
        ++accepted_[static_cast<std::size_t>(e.smtp_service)];
        if (mx) {
          messages_.Add(now_ns, 0);
          if (e.arrival_names_network) {
            AddNetwork(client, now_ns);
          }
        }
      }
      // Exim's arrival names the sender; Postfix's comes in qmgr's line (kSender).
      if (!e.sender.empty()) {
        if (const auto domain = mail_log::SenderDomain(e.sender); !domain.empty()) {
          sender_domains_.Add(now_ns, DistinctHash(domain, Lower));
        }
      }
      if (!e.user.empty()) {  // loopback too: webmail submits from localhost
        const auto user = MailUserKey::FromLower(e.user);
        sasl_senders_.Add(now_ns, user, 1);
        if (e.recipients > 0) {  // Exim names them on the arrival line
          sasl_recipients_.Add(now_ns, user, e.recipients);
        } else if (!e.queue_id.empty()) {  // Postfix: in qmgr's line, which follows
          pending_submissions_.Record(QueueIdKey::From(e.queue_id), user, now_ns);
          ++pending_;
        }
      }
      break;
    case EventKind::kAuthFailed:
      auth_failures_[static_cast<std::size_t>(e.auth_service)] += e.auth_attempts;
      if (client && !loopback) {
        auth_failure_networks_.Add(now_ns, ClientNetwork(*client), e.auth_attempts);
      }
      break;
    case EventKind::kReject: {
      ++rejects_[static_cast<std::size_t>(e.stage)][static_cast<std::size_t>(e.reason)];
      if (e.reason == mail_log::Reason::kRbl) {
        std::size_t i = 0;
        while (i < settings_.rbls.size() && settings_.rbls[i] != e.rbl) {
          ++i;
        }
        ++rbl_rejects_[i];
      }
      if (e.postscreen) {
        ++postscreen_[static_cast<std::size_t>(e.postscreen_result)];
      }
      break;
    }
    case EventKind::kPostscreen:
      ++postscreen_[static_cast<std::size_t>(e.postscreen_result)];
      if (e.postscreen_result == mail_log::PostscreenResult::kConnect) {
        AddNetwork(client, now_ns);
      }
      break;
    case EventKind::kSender:
      if (const auto domain = mail_log::SenderDomain(e.sender); !domain.empty()) {
        sender_domains_.Add(now_ns, DistinctHash(domain, Lower));
      }
      // Most messages are no submission: no lookup on a server that has had none pending.
      if (pending_ > 0 && !e.queue_id.empty() && e.recipients > 0) {
        const auto qid = QueueIdKey::From(e.queue_id);
        if (const MailUserKey* user = pending_submissions_.Find(qid, now_ns)) {
          sasl_recipients_.Add(now_ns, *user, e.recipients);
          pending_submissions_.Erase(qid);
          --pending_;
        }
      }
      break;
    case EventKind::kFilter:
      ++verdicts_[static_cast<std::size_t>(e.filter)][static_cast<std::size_t>(e.verdict)]
                 [static_cast<std::size_t>(e.action)];
      break;
    case EventKind::kDelivery:
      ++deliveries_[static_cast<std::size_t>(e.delivery)];
      break;
    case EventKind::kNone:
    case EventKind::kDisconnect:
      break;
  }
}

SnowshoeView MailLogStats::Snowshoe(std::int64_t now_ns) {
  SnowshoeView v;
  v.networks_v4 = networks_v4_.Estimate(now_ns);
  v.networks_v6 = networks_v6_.Estimate(now_ns);
  v.sender_domains = sender_domains_.Estimate(now_ns);
  v.messages = messages_.Events(now_ns);
  return v;
}

}  // namespace edgewatch
