using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    target_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    target_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    summary = table.Column<string>(type: "TEXT", nullable: false),
                    previous_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    principal = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    request_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    location = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    body = table.Column<byte[]>(type: "BLOB", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => new { x.principal, x.key });
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    reference = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    summary = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    is_exercise = table.Column<bool>(type: "INTEGER", nullable: false),
                    restricted = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    closing_override_reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incidents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "organisations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    headquarters = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hipaa_covered_entity = table.Column<bool>(type: "INTEGER", nullable: false),
                    hipaa_business_associate = table.Column<bool>(type: "INTEGER", nullable: false),
                    sec_registrant = table.Column<bool>(type: "INTEGER", nullable: false),
                    nydfs_covered_entity = table.Column<bool>(type: "INTEGER", nullable: false),
                    glba_financial_institution = table.Column<bool>(type: "INTEGER", nullable: false),
                    phr_vendor = table.Column<bool>(type: "INTEGER", nullable: false),
                    established_in_eu = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organisations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "reference_counters",
                columns: table => new
                {
                    year = table.Column<int>(type: "INTEGER", nullable: false),
                    last = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reference_counters", x => x.year);
                });

            migrationBuilder.CreateTable(
                name: "stored_playbooks",
                columns: table => new
                {
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    playbook_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    yaml = table.Column<string>(type: "TEXT", nullable: false),
                    loaded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stored_playbooks", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    roles = table.Column<string>(type: "TEXT", nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", nullable: true),
                    disabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "assessment_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    rules_version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    facts_json = table.Column<string>(type: "TEXT", nullable: false),
                    result_json = table.Column<string>(type: "TEXT", nullable: false),
                    run_by = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assessment_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_assessment_runs_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    rationale = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    privileged = table.Column<bool>(type: "INTEGER", nullable: false),
                    decided_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_decisions_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_facts",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_facts", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_incident_facts_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_obligations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 160, nullable: false),
                    regime = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    obligation_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    authority = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    due_by = table.Column<long>(type: "INTEGER", nullable: true),
                    due_date = table.Column<string>(type: "TEXT", nullable: true),
                    standard = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    clock_start = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    clock_start_at = table.Column<long>(type: "INTEGER", nullable: true),
                    tolled_days = table.Column<int>(type: "INTEGER", nullable: false),
                    residents = table.Column<long>(type: "INTEGER", nullable: false),
                    citation = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    rule_version = table.Column<string>(type: "TEXT", nullable: false),
                    confidence = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    notes = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status_reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    proof = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    rules_version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_obligations", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_obligations_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "milestones",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    is_estimate = table.Column<bool>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    recorded_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_milestones", x => new { x.incident_id, x.kind });
                    table.ForeignKey(
                        name: "fk_milestones_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "timeline_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    author_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_timeline_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_timeline_entries_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "systems",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    organisation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    data_elements = table.Column<string>(type: "TEXT", nullable: false),
                    vendor = table.Column<string>(type: "TEXT", nullable: true),
                    residency = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_systems", x => x.id);
                    table.ForeignKey(
                        name: "fk_systems_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "playbook_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    playbook_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    definition_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_playbook_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_playbook_runs_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_playbook_runs_stored_playbooks_definition_hash",
                        column: x => x.definition_hash,
                        principalTable: "stored_playbooks",
                        principalColumn: "hash",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_members",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_members", x => new { x.incident_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_incident_members_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_incident_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_leads",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    assigned_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_team_leads", x => new { x.incident_id, x.role });
                    table.ForeignKey(
                        name: "fk_team_leads_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_team_leads_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_steps",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    step_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ready_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    approvals = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    assignee_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    wake_at = table.Column<long>(type: "INTEGER", nullable: true),
                    team = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    automated = table.Column<bool>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_steps", x => new { x.run_id, x.step_id });
                    table.ForeignKey(
                        name: "fk_run_steps_playbook_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "playbook_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_user_id",
                table: "api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_assessment_runs_incident_id_at",
                table: "assessment_runs",
                columns: new[] { "incident_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_target_type_target_id",
                table: "audit_events",
                columns: new[] { "target_type", "target_id" });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_incident_id_decided_at",
                table: "decisions",
                columns: new[] { "incident_id", "decided_at" });

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_created_at",
                table: "idempotency_records",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_incident_members_user_id",
                table: "incident_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_obligations_incident_id_key",
                table: "incident_obligations",
                columns: new[] { "incident_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incident_obligations_status_due_by",
                table: "incident_obligations",
                columns: new[] { "status", "due_by" });

            migrationBuilder.CreateIndex(
                name: "ix_incidents_reference",
                table: "incidents",
                column: "reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incidents_status_created_at",
                table: "incidents",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_playbook_runs_definition_hash",
                table: "playbook_runs",
                column: "definition_hash");

            migrationBuilder.CreateIndex(
                name: "ix_playbook_runs_incident_id_playbook_id",
                table: "playbook_runs",
                columns: new[] { "incident_id", "playbook_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps",
                columns: new[] { "status", "wake_at" });

            migrationBuilder.CreateIndex(
                name: "ix_systems_organisation_id",
                table: "systems",
                column: "organisation_id");

            migrationBuilder.CreateIndex(
                name: "ix_team_leads_user_id",
                table: "team_leads",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_incident_id_at",
                table: "timeline_entries",
                columns: new[] { "incident_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);

            // The audit trail is append-only: the database itself refuses to change or remove an event.
            migrationBuilder.Sql("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER audit_events_no_update;");
            migrationBuilder.Sql("DROP TRIGGER audit_events_no_delete;");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "assessment_runs");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "decisions");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "incident_facts");

            migrationBuilder.DropTable(
                name: "incident_members");

            migrationBuilder.DropTable(
                name: "incident_obligations");

            migrationBuilder.DropTable(
                name: "milestones");

            migrationBuilder.DropTable(
                name: "reference_counters");

            migrationBuilder.DropTable(
                name: "run_steps");

            migrationBuilder.DropTable(
                name: "systems");

            migrationBuilder.DropTable(
                name: "team_leads");

            migrationBuilder.DropTable(
                name: "timeline_entries");

            migrationBuilder.DropTable(
                name: "playbook_runs");

            migrationBuilder.DropTable(
                name: "organisations");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "stored_playbooks");
        }
    }
}
