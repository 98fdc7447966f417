using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ExerciseClocks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps");

            migrationBuilder.DropIndex(
                name: "ix_deadline_rungs_pending_at",
                table: "deadline_rungs");

            migrationBuilder.AddColumn<long>(
                name: "wake_fire_at",
                table: "run_steps",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "fire_at",
                table: "deadline_rungs",
                type: "INTEGER",
                nullable: true);

            // Every incident so far keeps real time: its reminders and waits fire at the instants they fall.
            migrationBuilder.Sql("UPDATE deadline_rungs SET fire_at = at WHERE state = 'Pending'");
            migrationBuilder.Sql("UPDATE run_steps SET wake_fire_at = wake_at WHERE wake_at IS NOT NULL");

            migrationBuilder.CreateTable(
                name: "exercise_clocks",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    real_anchor = table.Column<long>(type: "INTEGER", nullable: false),
                    simulated_anchor = table.Column<long>(type: "INTEGER", nullable: false),
                    speed = table.Column<int>(type: "INTEGER", nullable: false),
                    paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_exercise_clocks", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_exercise_clocks_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_fire_at",
                table: "run_steps",
                columns: new[] { "status", "wake_fire_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_pending_fire_at",
                table: "deadline_rungs",
                column: "fire_at",
                filter: "state = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "exercise_clocks");

            migrationBuilder.DropIndex(
                name: "ix_run_steps_status_wake_fire_at",
                table: "run_steps");

            migrationBuilder.DropIndex(
                name: "ix_deadline_rungs_pending_fire_at",
                table: "deadline_rungs");

            migrationBuilder.DropColumn(
                name: "wake_fire_at",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "fire_at",
                table: "deadline_rungs");

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps",
                columns: new[] { "status", "wake_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deadline_rungs_pending_at",
                table: "deadline_rungs",
                column: "at",
                filter: "state = 'Pending'");
        }
    }
}
